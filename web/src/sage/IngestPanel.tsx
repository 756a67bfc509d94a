import { useRef, useState, type DragEvent } from "react";
import { Alert, Button, FileButton, Group, Paper, Progress, Stack, Text, Textarea, Title } from "@mantine/core";
import { IconFileUpload, IconUpload } from "@tabler/icons-react";
import { formatCount } from "../format";
import { ErrorAlert } from "../ui/ErrorAlert";
import { formatBytes, isLogFile } from "./model";
import { ingestLogs } from "./queries";
import { ScoreBadge } from "./ScoreBadge";
import type { IngestOutcome } from "./types";

type Sending = { what: string; share: number };

/**
 * Logs in: pasted into the text box, or a plain-text file dropped or picked. Both upload with a
 * progress bar and end with the new score; `onIngested` refreshes the rest of the page.
 */
export function IngestPanel({
  projectId,
  onIngested,
}: {
  projectId: string;
  onIngested: (outcome: IngestOutcome) => void;
}) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState<Sending | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [done, setDone] = useState<IngestOutcome | null>(null);
  const [dragging, setDragging] = useState(false);
  const resetFile = useRef<() => void>(null);

  const send = async (what: string, logs: { file: Blob } | { text: string }) => {
    setSending({ what, share: 0 });
    setError(null);
    setRefused(null);
    setDone(null);
    try {
      const outcome = await ingestLogs(projectId, logs, (share) => setSending({ what, share }));
      setDone(outcome);
      if ("text" in logs) setText("");
      onIngested(outcome);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSending(null);
      resetFile.current?.();
    }
  };

  const takeFile = (file: File | null) => {
    if (!file) return;
    if (!isLogFile(file)) {
      setRefused(`${file.name} is not a plain-text log: choose a .log or .txt file.`);
      return;
    }
    void send(`${file.name} (${formatBytes(file.size)})`, { file });
  };

  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (sending) return;
    takeFile(e.dataTransfer.files[0] ?? null);
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="sage-ingest" h="100%">
      <Title order={2} size="h4" id="sage-ingest" mb="sm">
        Ingest logs
      </Title>
      <Stack gap="sm">
        <Textarea
          label="Paste logs"
          description="Any format: one record per line, timestamps and levels are found on their own."
          autosize
          minRows={5}
          maxRows={12}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
          data-testid="sage-paste"
          spellCheck={false}
        />
        <Group justify="flex-end">
          <Button
            leftSection={<IconUpload size={16} />}
            disabled={text.trim() === "" || sending !== null}
            loading={sending?.what === "pasted logs"}
            onClick={() => void send("pasted logs", { text })}
            data-testid="sage-paste-submit"
          >
            Ingest pasted logs
          </Button>
        </Group>
        <Paper
          withBorder
          radius="md"
          p="md"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={drop}
          data-testid="sage-dropzone"
          data-dragging={dragging || undefined}
          style={{
            borderStyle: "dashed",
            borderWidth: 2,
            borderColor: dragging ? "var(--mantine-primary-color-filled)" : undefined,
            background: dragging ? "var(--mantine-primary-color-light)" : undefined,
          }}
        >
          <Group justify="center" gap="sm" wrap="wrap">
            <IconFileUpload size={22} aria-hidden />
            <Text size="sm">Drop a .log or .txt file here, or</Text>
            <FileButton onChange={takeFile} accept=".log,.txt,text/plain" resetRef={resetFile}>
              {(props) => (
                <Button variant="default" size="xs" disabled={sending !== null} data-testid="sage-file" {...props}>
                  Choose a file
                </Button>
              )}
            </FileButton>
          </Group>
        </Paper>
        {sending && (
          <div data-testid="sage-progress">
            <Text size="sm" mb={4}>
              {sending.share < 1 ? `Uploading ${sending.what}…` : `Scoring ${sending.what}…`}
            </Text>
            <Progress
              value={Math.round(sending.share * 100)}
              animated={sending.share >= 1}
              aria-label="Upload progress"
            />
          </div>
        )}
        {refused && (
          <Alert
            color="yellow"
            variant="light"
            role="alert"
            styles={{ message: { color: "var(--mantine-color-text)" } }}
          >
            {refused}
          </Alert>
        )}
        {error && <ErrorAlert title="The logs were not ingested" error={error} testId="sage-ingest-error" />}
        {done && (
          <Alert
            color="green"
            variant="light"
            data-testid="sage-ingested"
            styles={{ message: { color: "var(--mantine-color-text)" } }}
          >
            <Group gap="xs">
              <Text size="sm">
                {formatCount(done.ingest.lines)} line{done.ingest.lines === 1 ? "" : "s"} scored
              </Text>
              <ScoreBadge score={done.score} />
              {done.new_templates.length > 0 && (
                <Text size="sm">
                  · {done.new_templates.length} new template{done.new_templates.length === 1 ? "" : "s"}
                </Text>
              )}
            </Group>
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
