-- CreateIndex
CREATE INDEX "slot_localDate_idx" ON "slot"("localDate");
