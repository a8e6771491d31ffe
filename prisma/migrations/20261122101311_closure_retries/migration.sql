-- AlterTable
ALTER TABLE "closure" ADD COLUMN     "retries" INTEGER NOT NULL DEFAULT 0;
