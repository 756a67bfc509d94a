import { useState, type ReactNode } from "react";
import {
  Badge,
  Box,
  Code,
  Grid,
  Group,
  Image,
  List,
  NavLink,
  Paper,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { IconFile, IconFileCode, IconFolder, IconInfoCircle } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { CodeView } from "../ui/CodeView";
import { EmptyState } from "../ui/EmptyState";
import { QueryView } from "../ui/QueryView";
import { buildFileTree, defaultFile, isText, readBlueprint, readReport, type Blueprint, type TreeNode } from "./model";
import { diffQuery, fileQuery, imageQuery, versionQuery } from "./queries";
import { ReportView } from "./ReportView";
import { formatBytes } from "./versions";

export type VersionTab = "blueprint" | "files" | "report" | "diff";
export const VERSION_TABS: VersionTab[] = ["blueprint", "files", "report", "diff"];

/**
 * One version in tabs: the blueprint the model planned, the files (tree beside a code view; above
 * it on a phone), the validation report and the diff from the version it came from. `version`
 * is `1.0.0` or `seq-N` (a failed attempt has no number, and no files).
 */
export function VersionView({
  id,
  version,
  tab,
  onTab,
}: {
  id: string;
  version: string;
  tab: VersionTab;
  onTab: (tab: VersionTab) => void;
}) {
  const query = useQuery(versionQuery(id, version));
  return (
    <QueryView query={query} what="the version" skeletonRows={4}>
      {(d) => {
        const blueprint = readBlueprint(d.blueprint);
        const report = readReport(d.report);
        const ready = d.status === "ready" && !!d.version;
        return (
          <Tabs
            value={tab}
            onChange={(t) => t && onTab(t as VersionTab)}
            keepMounted={false}
            data-testid="extension-version"
            data-status={d.status}
          >
            <Tabs.List>
              <Tabs.Tab value="blueprint" data-testid="tab-blueprint">
                Blueprint
              </Tabs.Tab>
              <Tabs.Tab
                value="files"
                data-testid="tab-files"
                rightSection={
                  d.files.length > 0 ? (
                    <Badge size="xs" variant="default" circle>
                      {d.files.length}
                    </Badge>
                  ) : undefined
                }
              >
                Files
              </Tabs.Tab>
              <Tabs.Tab value="report" data-testid="tab-report">
                Report
              </Tabs.Tab>
              {ready && (
                <Tabs.Tab value="diff" data-testid="tab-diff">
                  Diff
                </Tabs.Tab>
              )}
            </Tabs.List>
            <Tabs.Panel value="blueprint" pt="md">
              {blueprint ? (
                <BlueprintView blueprint={blueprint} />
              ) : (
                <Nothing what="No blueprint">
                  The model did not get as far as a plan for this attempt: the Report tab and the failure above say why.
                </Nothing>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="files" pt="md">
              {ready && d.files.length > 0 ? (
                <Files id={id} version={d.version!} files={d.files} />
              ) : (
                <Nothing what="No files">
                  {d.status === "pending"
                    ? "The files appear here when the generation is done."
                    : "A failed attempt keeps no files. Iterate with a clearer description, or pick a ready version."}
                </Nothing>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="report" pt="md">
              {report ? (
                <ReportView report={report} />
              ) : (
                <Nothing what="No report yet">
                  The validation report is written once the model's files have been checked.
                </Nothing>
              )}
            </Tabs.Panel>
            {ready && (
              <Tabs.Panel value="diff" pt="md">
                <Diff id={id} version={d.version!} from={d.base_version ?? undefined} />
              </Tabs.Panel>
            )}
          </Tabs>
        );
      }}
    </QueryView>
  );
}

function Nothing({ what, children }: { what: string; children: ReactNode }) {
  return (
    <EmptyState icon={<IconInfoCircle size={22} />} title={what}>
      {children}
    </EmptyState>
  );
}

function BlueprintView({ blueprint }: { blueprint: Blueprint }) {
  return (
    <Stack gap="md" data-testid="extension-blueprint">
      <Stack gap={4}>
        <Title order={3} size="h5">
          Purpose
        </Title>
        <Text>{blueprint.purpose}</Text>
      </Stack>
      {blueprint.features.length > 0 && (
        <Stack gap={4}>
          <Title order={3} size="h5">
            Features
          </Title>
          <List size="sm" spacing={4} aria-label="Features">
            {blueprint.features.map((f) => (
              <List.Item key={f}>{f}</List.Item>
            ))}
          </List>
        </Stack>
      )}
      <Stack gap={4}>
        <Title order={3} size="h5">
          Permissions
        </Title>
        {blueprint.permissions.length === 0 ? (
          <Text size="sm" c="dimmed">
            None: the extension asks for no permissions.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={360}>
            <Table aria-label="Permissions" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Permission</Table.Th>
                  <Table.Th>Why</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {blueprint.permissions.map((p) => (
                  <Table.Tr key={p.permission}>
                    <Table.Td>
                      <Code>{p.permission}</Code>
                    </Table.Td>
                    <Table.Td>{p.reason || "no reason given"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <Stack gap={4}>
        <Group gap="xs">
          <Title order={3} size="h5">
            File plan
          </Title>
          {blueprint.changeKind && (
            <Badge variant="light" tt="none">
              {blueprint.changeKind} change
            </Badge>
          )}
        </Group>
        {blueprint.derived.includes("file_plan") && (
          <Text size="sm" c="dimmed">
            The model sent no file plan: Cistern listed the files it generated.
          </Text>
        )}
        <Table.ScrollContainer minWidth={360}>
          <Table aria-label="File plan" verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>File</Table.Th>
                <Table.Th>Role</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {blueprint.filePlan.map((f) => (
                <Table.Tr key={f.path}>
                  <Table.Td>
                    <Code>{f.path}</Code>
                  </Table.Td>
                  <Table.Td>{f.role}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Stack>
  );
}

function Files({ id, version, files }: { id: string; version: string; files: { path: string; size: number }[] }) {
  const [open, setOpen] = useState<string | undefined>(() => defaultFile(files));
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 4, lg: 3 }}>
        <Paper withBorder radius="md" p={4} component="nav" aria-label="Files" data-testid="extension-files">
          <Tree nodes={buildFileTree(files)} open={open} onOpen={setOpen} />
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8, lg: 9 }} miw={0}>
        {open &&
          (isText(open) ? (
            <TextFile id={id} version={version} path={open} />
          ) : (
            <ImageFile id={id} version={version} path={open} />
          ))}
      </Grid.Col>
    </Grid>
  );
}

function Tree({ nodes, open, onOpen }: { nodes: TreeNode[]; open?: string; onOpen: (path: string) => void }) {
  return (
    <>
      {nodes.map((n) =>
        n.kind === "dir" ? (
          <NavLink
            key={n.path}
            component="button"
            label={`${n.name}/`}
            leftSection={<IconFolder size={16} />}
            defaultOpened
            childrenOffset="sm"
          >
            <Tree nodes={n.children} open={open} onOpen={onOpen} />
          </NavLink>
        ) : (
          <NavLink
            key={n.path}
            component="button"
            label={n.name}
            active={n.path === open}
            aria-current={n.path === open ? "true" : undefined}
            leftSection={isText(n.path) ? <IconFileCode size={16} /> : <IconFile size={16} />}
            rightSection={
              <Text size="xs" c={n.path === open ? undefined : "dimmed"}>
                {formatBytes(n.size)}
              </Text>
            }
            onClick={() => onOpen(n.path)}
            data-path={n.path}
          />
        ),
      )}
    </>
  );
}

function TextFile({ id, version, path }: { id: string; version: string; path: string }) {
  const query = useQuery(fileQuery(id, version, path));
  return (
    <QueryView query={query} what={path} skeletonRows={8}>
      {(text) => <CodeView code={text} fileName={path} maxHeight="min(70vh, 40rem)" />}
    </QueryView>
  );
}

/** An icon or other image of the extension, shown as itself. */
function ImageFile({ id, version, path }: { id: string; version: string; path: string }) {
  const query = useQuery(imageQuery(id, version, path));
  return (
    <Paper withBorder radius="md" p="md" data-testid="image-view">
      <Text size="sm" ff="monospace" fw={600} mb="sm">
        {path}
      </Text>
      <QueryView query={query} what={path} skeletonRows={1}>
        {(src) => (
          <Box bg="var(--mantine-color-default-hover)" p="md" w="fit-content" style={{ borderRadius: 8 }}>
            <Image src={src} alt={path} w="auto" maw={128} fit="contain" />
          </Box>
        )}
      </QueryView>
    </Paper>
  );
}

function Diff({ id, version, from }: { id: string; version: string; from?: string }) {
  const query = useQuery(diffQuery(id, version));
  return (
    <QueryView query={query} what="the diff" skeletonRows={6}>
      {(text) =>
        text.trim() ? (
          <CodeView
            code={text}
            language="diff"
            fileName={from ? `${from} → ${version}` : `${version} (all new)`}
            maxHeight="min(70vh, 40rem)"
          />
        ) : (
          <Nothing what="No changes">This version's files are the same as {from ?? "before"}.</Nothing>
        )
      }
    </QueryView>
  );
}
