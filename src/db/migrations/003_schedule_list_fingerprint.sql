-- A digest of the schedule's entry in ListSchedules as the row was last written from it. An
-- incremental pass describes only schedules whose listed entry changed; the rest keep their data.
ALTER TABLE {{schema}}.schedule ADD COLUMN list_fingerprint text;
