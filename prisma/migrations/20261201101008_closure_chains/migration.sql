-- AlterEnum
ALTER TYPE "ClosureStatus" ADD VALUE 'APPLYING';

-- AlterTable
ALTER TABLE "rehoming_outcome" ADD COLUMN     "fromOutcomeId" TEXT,
ADD COLUMN     "supersededByOutcomeId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "rehoming_outcome_fromOutcomeId_key" ON "rehoming_outcome"("fromOutcomeId");

-- CreateIndex
CREATE UNIQUE INDEX "rehoming_outcome_supersededByOutcomeId_key" ON "rehoming_outcome"("supersededByOutcomeId");
