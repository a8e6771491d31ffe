-- AlterTable
ALTER TABLE "rehoming_outcome" ADD COLUMN     "appliedAt" TIMESTAMPTZ(3),
ADD COLUMN     "waitlistEntryId" TEXT;

-- AlterTable
ALTER TABLE "transport_run" ADD COLUMN     "closureId" TEXT,
ADD COLUMN     "planRef" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "transport_run_closureId_planRef_key" ON "transport_run"("closureId", "planRef");
