-- AlterTable
ALTER TABLE "idempotency_record" ADD COLUMN     "effectCommittedAt" TIMESTAMPTZ(3);
