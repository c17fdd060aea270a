-- 0005_alarm_key_index: no query looks alarms up by condition key (the
-- manager keeps the open ones in memory and loads them by state), and
-- every alarm step paid for the index on it.
DROP INDEX IF EXISTS alarms_key;
