-- CreateEnum
CREATE TYPE "Funder" AS ENUM ('SOCIAL_CARE', 'CONTINUING_CARE', 'EDUCATION');

-- AlterTable
ALTER TABLE "booking" ADD COLUMN     "costPence" INTEGER,
ADD COLUMN     "fundingSplit" JSONB,
ADD COLUMN     "priceUnit" "PriceUnit";

-- CreateTable
CREATE TABLE "funding_share" (
    "id" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "funder" "Funder" NOT NULL,
    "basisPoints" INTEGER NOT NULL,
    "need" "CareNeed",
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "funding_share_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "funder_budget" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "funder" "Funder" NOT NULL,
    "periodStart" TEXT NOT NULL,
    "periodEnd" TEXT NOT NULL,
    "pence" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "funder_budget_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "funding_share_childId_idx" ON "funding_share"("childId");

-- CreateIndex
CREATE UNIQUE INDEX "funder_budget_authorityId_funder_periodStart_periodEnd_key" ON "funder_budget"("authorityId", "funder", "periodStart", "periodEnd");

-- AddForeignKey
ALTER TABLE "funding_share" ADD CONSTRAINT "funding_share_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "funding_share" ADD CONSTRAINT "funding_share_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "funder_budget" ADD CONSTRAINT "funder_budget_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Added by hand (Prisma's schema language cannot express CHECK): money is never negative, and a
-- funding share is a real part of the whole.
ALTER TABLE "funder_budget" ADD CONSTRAINT "funder_budget_pence_check" CHECK ("pence" >= 0);
ALTER TABLE "funding_share" ADD CONSTRAINT "funding_share_basis_points_check" CHECK ("basisPoints" > 0 AND "basisPoints" <= 10000);
ALTER TABLE "booking" ADD CONSTRAINT "booking_cost_check" CHECK ("costPence" IS NULL OR "costPence" >= 0);
