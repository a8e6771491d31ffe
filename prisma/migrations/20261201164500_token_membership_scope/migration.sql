-- An API token may act through several of its owner's memberships.
CREATE TABLE "api_token_membership" (
    "tokenId" TEXT NOT NULL,
    "membershipId" TEXT NOT NULL,
    CONSTRAINT "api_token_membership_pkey" PRIMARY KEY ("tokenId","membershipId")
);

CREATE INDEX "api_token_membership_membershipId_idx" ON "api_token_membership"("membershipId");

ALTER TABLE "api_token_membership" ADD CONSTRAINT "api_token_membership_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "api_token"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_token_membership" ADD CONSTRAINT "api_token_membership_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Tokens made before acted through their one membership.
INSERT INTO "api_token_membership" ("tokenId", "membershipId") SELECT id, "membershipId" FROM "api_token" WHERE "membershipId" IS NOT NULL;
