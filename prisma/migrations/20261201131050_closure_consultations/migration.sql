-- AlterEnum
ALTER TYPE "ClosureStatus" ADD VALUE 'CONSULTING';

-- AlterTable
ALTER TABLE "authority" ADD COLUMN     "rehomingOrder" TEXT[];

-- AlterTable
ALTER TABLE "closure" ADD COLUMN     "consultationDeadline" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "consultation_response" (
    "id" TEXT NOT NULL,
    "closureId" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "ranking" TEXT[],
    "priority" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "consultation_response_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "consultation_response_familyId_idx" ON "consultation_response"("familyId");

-- CreateIndex
CREATE UNIQUE INDEX "consultation_response_closureId_childId_key" ON "consultation_response"("closureId", "childId");

-- AddForeignKey
ALTER TABLE "consultation_response" ADD CONSTRAINT "consultation_response_closureId_fkey" FOREIGN KEY ("closureId") REFERENCES "closure"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consultation_response" ADD CONSTRAINT "consultation_response_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE CASCADE;
