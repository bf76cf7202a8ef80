-- CreateTable
CREATE TABLE "DeadLetter" (
    "id" SERIAL NOT NULL,
    "reason" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "messageId" TEXT,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "bodyEncoding" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "contentEncoding" TEXT,
    "consumer" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "setAsideAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayedAt" TIMESTAMP(3),
    "replayedBy" TEXT,
    "replays" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "DeadLetter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DeadLetter_setAsideAt_idx" ON "DeadLetter"("setAsideAt");

