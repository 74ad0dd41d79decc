-- SPDX-License-Identifier: GPL-3.0-or-later
-- Wakes the live feed of every instance on this database when events commit. Without it a feed
-- sees another instance's events only at its next poll (1 s). NOTIFY is delivered at commit and
-- only then, and PostgreSQL folds a transaction's identical notifications into one, so this is
-- one notification per committed group of events, not one per event. The feed LISTENs on
-- "callwatch_events" (server/eventfeed.cpp); the payload is empty: the feed reads the table.
CREATE FUNCTION callwatch_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('callwatch_events', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION callwatch_events_notify();
