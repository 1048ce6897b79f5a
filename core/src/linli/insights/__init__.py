"""Supplier insights (数据反哺, 以销定采): demand forecasts, repurchase rates, feedback."""
