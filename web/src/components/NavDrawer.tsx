/** The navigation as a drawer, for phones (lazy: see Layout). Following a link closes it. */
import { Drawer } from "@mantine/core";
import { Navigation } from "./Navigation";

export default function NavDrawer({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      size={280}
      title="Cistern"
      hiddenFrom="sm"
      closeButtonProps={{ "aria-label": "Close navigation" }}
    >
      <Navigation onNavigate={onClose} />
    </Drawer>
  );
}
