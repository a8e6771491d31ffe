-- CreateEnum
CREATE TYPE "ScenarioStatus" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED');

-- CreateTable
CREATE TABLE "scenario" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "periodStart" TEXT NOT NULL,
    "periodEnd" TEXT NOT NULL,
    "seed" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "status" "ScenarioStatus" NOT NULL DEFAULT 'QUEUED',
    "result" JSONB,
    "error" TEXT,
    "runMs" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "scenario_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "scenario_authorityId_createdAt_idx" ON "scenario"("authorityId", "createdAt");

-- AddForeignKey
ALTER TABLE "scenario" ADD CONSTRAINT "scenario_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
