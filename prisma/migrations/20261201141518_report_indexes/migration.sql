-- CreateIndex
CREATE INDEX "provider_operatorAuthorityId_idx" ON "provider"("operatorAuthorityId");

-- CreateIndex
CREATE INDEX "slot_reservedForAuthorityId_localDate_idx" ON "slot"("reservedForAuthorityId", "localDate");
