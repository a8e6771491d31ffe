-- DropIndex
DROP INDEX "job_outbox_enqueuedAt_idx";

-- DropIndex
DROP INDEX "job_outbox_queue_jobId_key";

-- AlterTable
ALTER TABLE "job_outbox" ADD COLUMN     "prefix" TEXT NOT NULL DEFAULT 'shortbreaks';

-- CreateIndex
CREATE INDEX "job_outbox_prefix_enqueuedAt_idx" ON "job_outbox"("prefix", "enqueuedAt");

-- CreateIndex
CREATE UNIQUE INDEX "job_outbox_prefix_queue_jobId_key" ON "job_outbox"("prefix", "queue", "jobId");
