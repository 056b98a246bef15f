"""Working days: statutory holidays and make-up working days (调休) as data, and the deadlines
counted over them (`add_working_days`, `is_working_day`)."""
