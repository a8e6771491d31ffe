-- CreateTable
CREATE TABLE "allocation_credit" (
    "childId" TEXT NOT NULL,
    "authorityId" TEXT NOT NULL,
    "credit" DOUBLE PRECISION NOT NULL,
    "history" JSONB NOT NULL,
    "roundId" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "allocation_credit_pkey" PRIMARY KEY ("childId")
);

-- CreateIndex
CREATE INDEX "allocation_credit_authorityId_idx" ON "allocation_credit"("authorityId");

-- AddForeignKey
ALTER TABLE "allocation_credit" ADD CONSTRAINT "allocation_credit_childId_fkey" FOREIGN KEY ("childId") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
