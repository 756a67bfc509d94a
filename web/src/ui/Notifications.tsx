/** The toast container (lazy: see main.tsx). Show one with `notifications.show` from @mantine/notifications. */
import { Notifications as MantineNotifications } from "@mantine/notifications";
import "@mantine/notifications/styles.css";

export default function Notifications() {
  return <MantineNotifications position="top-right" />;
}
