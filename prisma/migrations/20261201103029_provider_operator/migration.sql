-- DropForeignKey
ALTER TABLE "closure" DROP CONSTRAINT "closure_authorityId_fkey";

-- AlterTable
ALTER TABLE "closure" ADD COLUMN     "suspendedAuthorityId" TEXT,
ALTER COLUMN "authorityId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "provider" ADD COLUMN     "operatorAuthorityId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "closure_providerId_suspendedAuthorityId_key" ON "closure"("providerId", "suspendedAuthorityId");

-- AddForeignKey
ALTER TABLE "provider" ADD CONSTRAINT "provider_operatorAuthorityId_fkey" FOREIGN KEY ("operatorAuthorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "closure" ADD CONSTRAINT "closure_authorityId_fkey" FOREIGN KEY ("authorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "closure" ADD CONSTRAINT "closure_suspendedAuthorityId_fkey" FOREIGN KEY ("suspendedAuthorityId") REFERENCES "authority"("id") ON DELETE SET NULL ON UPDATE CASCADE;
