-- How many messages the local outbox holds (the demo's closing line). Returns one count.
SELECT count(*) FROM outbox_messages;
