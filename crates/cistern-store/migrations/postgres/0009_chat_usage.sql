-- What a reply cost (issue 15's "tokens and cost of each reply"): on a turn's final assistant
-- message, the turn's usage summed over its model calls, as JSON
-- `{"input_tokens", "output_tokens", "model_calls", "cost_usd"}`. NULL on user and tool messages,
-- on a tool round's assistant message, and on replies stored before this column. Shown with the
-- message, never aggregated in SQL: the per-call accounting (llm_calls) is what sums. JSONB
-- here (TEXT on SQLite) so the driver decodes it as JSON on both.
ALTER TABLE chat_messages ADD COLUMN usage JSONB;
