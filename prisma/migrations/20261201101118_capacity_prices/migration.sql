-- CreateEnum
CREATE TYPE "PriceUnit" AS ENUM ('NIGHT', 'SESSION', 'BLOCK');

-- CreateTable
CREATE TABLE "capacity_price" (
    "id" TEXT NOT NULL,
    "capacityRuleId" TEXT NOT NULL,
    "unit" "PriceUnit" NOT NULL,
    "pence" INTEGER NOT NULL,
    "effectiveFrom" TEXT NOT NULL,
    "effectiveTo" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "capacity_price_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "capacity_price_capacityRuleId_effectiveFrom_idx" ON "capacity_price"("capacityRuleId", "effectiveFrom");

-- AddForeignKey
ALTER TABLE "capacity_price" ADD CONSTRAINT "capacity_price_capacityRuleId_fkey" FOREIGN KEY ("capacityRuleId") REFERENCES "capacity_rule"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Added by hand (Prisma's schema language cannot express CHECK): a price is never negative and
-- its effective period never ends before it starts.
ALTER TABLE "capacity_price" ADD CONSTRAINT "capacity_price_pence_check" CHECK ("pence" >= 0);
ALTER TABLE "capacity_price" ADD CONSTRAINT "capacity_price_dates_check" CHECK ("effectiveTo" IS NULL OR "effectiveTo" >= "effectiveFrom");
