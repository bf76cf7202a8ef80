-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ComposeType" AS ENUM ('production', 'nightly', 'test', 'ci', 'development');

-- CreateEnum
CREATE TYPE "ComposeStatus" AS ENUM ('STARTED', 'FINISHED', 'FINISHED_INCOMPLETE', 'DOOMED', 'TERMINATED');

-- CreateEnum
CREATE TYPE "RpmCategory" AS ENUM ('binary', 'debug', 'source');

-- CreateEnum
CREATE TYPE "UpdatesRequest" AS ENUM ('stable', 'testing');

-- CreateEnum
CREATE TYPE "PipelineTrigger" AS ENUM ('manual', 'nightly', 'bus');

-- CreateEnum
CREATE TYPE "ArtifactBuildState" AS ENUM ('SUBMITTED', 'SUCCEEDED', 'FAILED', 'CANCELED');

-- CreateEnum
CREATE TYPE "CheckOutcome" AS ENUM ('PASSED', 'FAILED', 'MISSING');

-- CreateTable
CREATE TABLE "Release" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "short" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'ga',
    "requiredVariants" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Compose" (
    "id" SERIAL NOT NULL,
    "composeId" TEXT NOT NULL,
    "releaseId" INTEGER NOT NULL,
    "date" TEXT NOT NULL,
    "type" "ComposeType" NOT NULL,
    "respin" INTEGER NOT NULL,
    "label" TEXT,
    "final" BOOLEAN NOT NULL DEFAULT false,
    "status" "ComposeStatus",
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "location" TEXT,
    "productmd" JSONB NOT NULL,
    "ingestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Compose_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Variant" (
    "id" SERIAL NOT NULL,
    "composeId" INTEGER NOT NULL,
    "uid" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "arches" TEXT[],
    "parentUid" TEXT,
    "paths" JSONB NOT NULL,

    CONSTRAINT "Variant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Image" (
    "id" SERIAL NOT NULL,
    "composeId" INTEGER NOT NULL,
    "variantUid" TEXT NOT NULL,
    "arch" TEXT NOT NULL,
    "imageArch" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "subvariant" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "checksums" JSONB NOT NULL,
    "bootable" BOOLEAN NOT NULL,
    "volumeId" TEXT,
    "implantMd5" TEXT,
    "mtime" BIGINT NOT NULL,
    "discNumber" INTEGER NOT NULL DEFAULT 1,
    "discCount" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rpm" (
    "id" SERIAL NOT NULL,
    "nevra" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "arch" TEXT NOT NULL,
    "size" BIGINT,
    "srpmId" INTEGER,
    "buildId" INTEGER,

    CONSTRAINT "Rpm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Build" (
    "id" SERIAL NOT NULL,
    "nvr" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "kojiBuildId" INTEGER,

    CONSTRAINT "Build_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComposeRpmSet" (
    "id" SERIAL NOT NULL,
    "composeId" INTEGER NOT NULL,
    "variantUid" TEXT NOT NULL,
    "arch" TEXT NOT NULL,
    "category" "RpmCategory" NOT NULL,
    "rpmIds" INTEGER[],
    "pathDir" TEXT,
    "pathExceptions" JSONB NOT NULL DEFAULT '{}',
    "sigkey" TEXT,
    "sigkeyExceptions" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ComposeRpmSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UpdatesPush" (
    "id" SERIAL NOT NULL,
    "pushKey" TEXT NOT NULL,
    "releaseId" INTEGER NOT NULL,
    "request" "UpdatesRequest" NOT NULL,
    "pushedAt" TIMESTAMP(3) NOT NULL,
    "updates" TEXT[],
    "builds" TEXT[],
    "agent" TEXT,

    CONSTRAINT "UpdatesPush_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PipelineRun" (
    "id" SERIAL NOT NULL,
    "workflowId" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "composeId" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "respin" INTEGER NOT NULL,
    "trigger" "PipelineTrigger" NOT NULL,
    "artifacts" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PipelineRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InputSnapshot" (
    "id" SERIAL NOT NULL,
    "release" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "kojiEvent" INTEGER NOT NULL,
    "builds" JSONB NOT NULL,
    "rpms" JSONB NOT NULL,
    "digest" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InputSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ArtifactBuild" (
    "id" SERIAL NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "composeId" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "artifact" TEXT NOT NULL,
    "snapshotId" INTEGER NOT NULL,
    "fingerprint" TEXT,
    "inputs" JSONB NOT NULL,
    "kojiTaskId" INTEGER,
    "state" "ArtifactBuildState" NOT NULL,
    "components" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "outputs" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ArtifactBuild_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckResult" (
    "id" SERIAL NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "artifact" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "outcome" "CheckOutcome" NOT NULL,
    "detail" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignoffAudit" (
    "id" SERIAL NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL,
    "accepted" BOOLEAN NOT NULL,
    "reason" TEXT,
    "remoteAddr" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignoffAudit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Publication" (
    "id" SERIAL NOT NULL,
    "pipelineId" TEXT NOT NULL,
    "composeId" TEXT NOT NULL,
    "artifact" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Publication_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Release_name_key" ON "Release"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Compose_composeId_key" ON "Compose"("composeId");

-- CreateIndex
CREATE INDEX "Compose_releaseId_date_idx" ON "Compose"("releaseId", "date");

-- CreateIndex
CREATE UNIQUE INDEX "Variant_composeId_uid_key" ON "Variant"("composeId", "uid");

-- CreateIndex
CREATE INDEX "Image_variantUid_subvariant_type_format_arch_idx" ON "Image"("variantUid", "subvariant", "type", "format", "arch");

-- CreateIndex
CREATE UNIQUE INDEX "Image_composeId_path_key" ON "Image"("composeId", "path");

-- CreateIndex
CREATE UNIQUE INDEX "Rpm_nevra_key" ON "Rpm"("nevra");

-- CreateIndex
CREATE INDEX "Rpm_name_idx" ON "Rpm"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Build_nvr_key" ON "Build"("nvr");

-- CreateIndex
CREATE UNIQUE INDEX "Build_kojiBuildId_key" ON "Build"("kojiBuildId");

-- CreateIndex
CREATE UNIQUE INDEX "ComposeRpmSet_composeId_variantUid_arch_category_key" ON "ComposeRpmSet"("composeId", "variantUid", "arch", "category");

-- CreateIndex
CREATE UNIQUE INDEX "UpdatesPush_pushKey_key" ON "UpdatesPush"("pushKey");

-- CreateIndex
CREATE INDEX "UpdatesPush_releaseId_request_pushedAt_idx" ON "UpdatesPush"("releaseId", "request", "pushedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PipelineRun_workflowId_key" ON "PipelineRun"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "PipelineRun_composeId_key" ON "PipelineRun"("composeId");

-- CreateIndex
CREATE UNIQUE INDEX "PipelineRun_release_date_respin_key" ON "PipelineRun"("release", "date", "respin");

-- CreateIndex
CREATE UNIQUE INDEX "InputSnapshot_release_tag_kojiEvent_key" ON "InputSnapshot"("release", "tag", "kojiEvent");

-- CreateIndex
CREATE INDEX "ArtifactBuild_release_artifact_state_idx" ON "ArtifactBuild"("release", "artifact", "state");

-- CreateIndex
CREATE UNIQUE INDEX "ArtifactBuild_pipelineId_artifact_key" ON "ArtifactBuild"("pipelineId", "artifact");

-- CreateIndex
CREATE UNIQUE INDEX "CheckResult_pipelineId_artifact_check_key" ON "CheckResult"("pipelineId", "artifact", "check");

-- CreateIndex
CREATE INDEX "SignoffAudit_pipelineId_idx" ON "SignoffAudit"("pipelineId");

-- CreateIndex
CREATE UNIQUE INDEX "Publication_pipelineId_artifact_path_key" ON "Publication"("pipelineId", "artifact", "path");

-- AddForeignKey
ALTER TABLE "Compose" ADD CONSTRAINT "Compose_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Variant" ADD CONSTRAINT "Variant_composeId_fkey" FOREIGN KEY ("composeId") REFERENCES "Compose"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_composeId_fkey" FOREIGN KEY ("composeId") REFERENCES "Compose"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rpm" ADD CONSTRAINT "Rpm_srpmId_fkey" FOREIGN KEY ("srpmId") REFERENCES "Rpm"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rpm" ADD CONSTRAINT "Rpm_buildId_fkey" FOREIGN KEY ("buildId") REFERENCES "Build"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ComposeRpmSet" ADD CONSTRAINT "ComposeRpmSet_composeId_fkey" FOREIGN KEY ("composeId") REFERENCES "Compose"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpdatesPush" ADD CONSTRAINT "UpdatesPush_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

