-- Stores one fitted recipe; every fit is kept.
INSERT INTO recipes (firm, grain, fitted_at, as_of, data_from, data_to, method, observations, cv_wape, recipe)
VALUES ({firm:String}, {grain:String}, {fitted_at:DateTime64(3)}, {as_of:DateTime64(3)}, {data_from:Date32},
        {data_to:Date32}, {method:String}, {observations:UInt32}, {cv_wape:Float64}, {recipe:String})
