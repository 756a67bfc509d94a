/** The coding workspace's API shapes, from the generated `schema.d.ts`. */
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type Workspace = Schemas["WorkspaceView"];
export type WorkspaceFile = Schemas["WorkspaceFile"];
export type WorkspaceFileView = Schemas["WorkspaceFileView"];
export type Snapshot = Schemas["SnapshotView"];
export type SnapshotDiff = Schemas["SnapshotDiff"];
export type WorkspaceImport = Schemas["WorkspaceImport"];
export type Task = Schemas["TaskView"];
export type TaskMode = Schemas["Mode"];
export type ProposedFile = Schemas["ProposedFile"];
export type Review = Schemas["Review"];
export type ReviewRequest = Schemas["ReviewRequest"];
export type CreateTask = Schemas["CreateTask"];
export type MergePreview = Schemas["MergePreview"];
export type MergedFile = Schemas["MergedFile"];
