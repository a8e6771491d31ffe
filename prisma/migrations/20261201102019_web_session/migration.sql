-- CreateTable
CREATE TABLE "web_session" (
    "id" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "apiTokenId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "web_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "web_session_secretHash_key" ON "web_session"("secretHash");

-- CreateIndex
CREATE INDEX "web_session_apiTokenId_idx" ON "web_session"("apiTokenId");

-- CreateIndex
CREATE INDEX "web_session_expiresAt_idx" ON "web_session"("expiresAt");

-- AddForeignKey
ALTER TABLE "web_session" ADD CONSTRAINT "web_session_apiTokenId_fkey" FOREIGN KEY ("apiTokenId") REFERENCES "api_token"("id") ON DELETE CASCADE ON UPDATE CASCADE;
