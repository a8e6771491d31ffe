-- AlterTable
ALTER TABLE "capacity_rule" ADD COLUMN     "standingForClosureId" TEXT;

-- CreateTable
CREATE TABLE "provider_upgrade" (
    "id" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "authorityId" TEXT,
    "need" "CareNeed" NOT NULL,
    "places" INTEGER NOT NULL,
    "fromDate" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_upgrade_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_upgrade_providerId_need_key" ON "provider_upgrade"("providerId", "need");

-- AddForeignKey
ALTER TABLE "capacity_rule" ADD CONSTRAINT "capacity_rule_standingForClosureId_fkey" FOREIGN KEY ("standingForClosureId") REFERENCES "closure"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_upgrade" ADD CONSTRAINT "provider_upgrade_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "provider"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_upgrade" ADD CONSTRAINT "provider_upgrade_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- An upgrade covers at least one place.
ALTER TABLE "provider_upgrade" ADD CONSTRAINT "provider_upgrade_places_check" CHECK ("places" > 0);
