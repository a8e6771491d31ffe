-- CreateTable
CREATE TABLE "entitlement_change" (
    "id" TEXT NOT NULL,
    "entitlementId" TEXT NOT NULL,
    "childId" TEXT NOT NULL,
    "periodStart" TEXT NOT NULL,
    "periodEnd" TEXT NOT NULL,
    "nights" INTEGER NOT NULL,
    "daySessions" INTEGER NOT NULL,
    "previous" JSONB,
    "reason" TEXT,
    "actorRole" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entitlement_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "swap_listing" (
    "id" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "bookingId" TEXT NOT NULL,
    "familyId" TEXT NOT NULL,
    "withdrawnAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "swap_listing_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "entitlement_change_childId_at_idx" ON "entitlement_change"("childId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "swap_listing_bookingId_key" ON "swap_listing"("bookingId");

-- CreateIndex
CREATE INDEX "swap_listing_authorityId_withdrawnAt_idx" ON "swap_listing"("authorityId", "withdrawnAt");

-- AddForeignKey
ALTER TABLE "entitlement_change" ADD CONSTRAINT "entitlement_change_entitlementId_fkey" FOREIGN KEY ("entitlementId") REFERENCES "entitlement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "swap_listing" ADD CONSTRAINT "swap_listing_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "booking"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
