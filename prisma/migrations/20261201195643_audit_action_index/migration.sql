-- Administrators read sign-in events (by action) newest first.
-- CreateIndex
CREATE INDEX "audit_event_action_at_idx" ON "audit_event"("action", "at");
