// productmd compose metadata (composeinfo.json, rpms.json, images.json) for relengotron.
export * from "./model.js";
export {
  COMPOSE_STATUSES,
  COMPOSE_TYPES,
  CURRENT_VERSION,
  IMAGE_TYPE_FORMAT_MAPPING,
  RPM_ARCHES,
  RPM_CATEGORIES,
  SUPPORTED_IMAGE_FORMATS,
  SUPPORTED_IMAGE_TYPES,
  VARIANT_PATH_CATEGORIES,
  VARIANT_TYPES,
  type ImageFormat,
  type ImageType,
} from "./constants.js";
export { ProductmdError, formatJsonPath, type JsonPath } from "./errors.js";
export { parseProductmdNevra, rpmFileName, type Nevra } from "./nevra.js";
export {
  ComposeInfoV0_2Schema,
  ComposeInfoV0_3Schema,
  ComposeInfoV1_0Schema,
  ComposeInfoV1_1Schema,
  ComposeInfoV1_2Schema,
  readComposeInfoJson,
} from "./composeinfo.js";
export { ImagesV1_0Schema, ImagesV1_1Schema, ImagesV1_2Schema, readImagesJson } from "./images.js";
export {
  RpmV0_3Schema,
  RpmV1_0Schema,
  RpmsV0_3Schema,
  RpmsV1_0Schema,
  RpmsV1_1Schema,
  RpmsV1_2Schema,
  RpmsStream,
  type StreamRpmsOptions,
} from "./rpms.js";
export { resolveComposeLocation, type ComposeLocation } from "./source.js";
export {
  readCompose,
  readComposeInfo,
  readImages,
  readStatus,
  streamRpms,
  type ComposeMetadata,
  type ReadComposeOptions,
} from "./reader.js";
export {
  composeInfoDocument,
  imagesDocument,
  writeComposeMetadata,
  type ComposeInfoInput,
  type ComposeMetadataInput,
  type WriteMetadataOptions,
  type WrittenMetadata,
} from "./writer.js";
export {
  imageTreePath,
  rpmTreePath,
  writeComposeTree,
  type ComposeTree,
  type ComposeTreeImage,
  type ComposeTreeInput,
  type ComposeTreeRpm,
  type ComposeTreeVariant,
} from "./compose-tree.js";
