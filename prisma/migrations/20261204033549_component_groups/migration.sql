-- CreateTable
CREATE TABLE "ComponentGroup" (
    "id" SERIAL NOT NULL,
    "release" TEXT NOT NULL,
    "groupType" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "order" INTEGER,
    "description" TEXT,
    "packages" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ComponentGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComponentGroupChange" (
    "id" SERIAL NOT NULL,
    "release" TEXT NOT NULL,
    "groupType" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "package" TEXT,
    "fromGroup" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ComponentGroupChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ComponentGroup_release_groupType_name_key" ON "ComponentGroup"("release", "groupType", "name");

-- CreateIndex
CREATE INDEX "ComponentGroupChange_release_groupType_at_idx" ON "ComponentGroupChange"("release", "groupType", "at");

-- CreateIndex
CREATE INDEX "ComponentGroupChange_package_idx" ON "ComponentGroupChange"("package");

