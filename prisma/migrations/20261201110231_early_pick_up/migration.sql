-- AlterTable
ALTER TABLE "booking" ADD COLUMN     "pickedUpAt" TIMESTAMPTZ(3);
