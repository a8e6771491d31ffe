-- AlterTable
ALTER TABLE "allocation_round" ADD COLUMN     "calendar" JSONB NOT NULL;
