-- SPDX-License-Identifier: GPL-3.0-or-later
-- No query reads these indexes: the inbox is listed by id, events are read by id and filtered
-- in memory. Each one cost a page write per call per commit on the webhook path (a batch of
-- turns for 16 calls dirtied 16 leaf pages of each), which was a third of what a commit wrote.
-- Add an index back together with the query that needs it.
DROP INDEX webhook_deliveries_call_sid;
DROP INDEX webhook_deliveries_conversation_id;
DROP INDEX events_call_id_id;
