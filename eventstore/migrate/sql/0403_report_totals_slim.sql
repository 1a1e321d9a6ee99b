-- Report totals keep only the monthly totals per tag and payee. The days of
-- a month that a report's period cuts are summed from the journal instead of
-- daily tables, and an amendment or a void finds the old share of its
-- transaction in the journal, so report_entries goes too: every append
-- writes three fewer rows per posting.
DROP TABLE report_entries;
DROP TABLE daily_totals;
DROP TABLE dimension_daily_totals;

