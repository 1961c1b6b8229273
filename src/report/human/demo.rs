//! The human reporter's demo: the parts' titles and the table of what
//! differed.

use super::*;

impl Human {
    pub(super) fn demo_pause(&mut self, next: DemoPart) {
        let text = self.dim(&self.t(msg!("demo-pause", number = next.number())));
        self.line(&text);
    }

    pub(super) fn demo_part(&mut self, part: DemoPart) {
        let title = match part {
            DemoPart::TcpExchange => msg!("demo-part-tcp"),
            DemoPart::UdpExchange => msg!("demo-part-udp"),
            DemoPart::Table => msg!("demo-part-table"),
        };
        let head = self.bold(&self.t(msg!("demo-part-head", number = part.number(), title = title)));
        if part != DemoPart::TcpExchange {
            self.line("");
        }
        self.line(&head);
        if part == DemoPart::Table && !self.stacked() {
            let header = format!("{:WHAT$}  {:COLUMN$}  {}", "", "TCP (SOCK_STREAM)", "UDP (SOCK_DGRAM)");
            let header = self.bold(header.trim_end());
            self.line(&header);
        }
    }

    /// The table's three columns do not fit: each row is its title, then
    /// its TCP and UDP cells under it.
    pub(super) fn stacked(&self) -> bool {
        self.style.width.is_some_and(|w| w < TABLE_COLUMNS)
    }

    pub(super) fn demo_row(&mut self, row: &DemoRow) {
        let cells = tables::demo_row(self.style.lang, row);
        if self.stacked() {
            let what = self.bold(&cells.what);
            self.line(&what);
            let udp =
                cells.udp.as_ref().map(|udp| format!("  {}", self.t(msg!("table-cell-udp", text = udp))));
            let tcp = match udp {
                Some(_) => format!("  {}", self.t(msg!("table-cell-tcp", text = &cells.tcp))),
                None => format!("  {}", cells.tcp),
            };
            for cell in std::iter::once(tcp).chain(udp) {
                self.line(&cell);
            }
            return;
        }
        let what = crate::width::wrap_cell(&cells.what, WHAT);
        let (tcp, udp) = match &cells.udp {
            Some(udp) => (crate::width::wrap_cell(&cells.tcp, COLUMN), crate::width::wrap_cell(udp, COLUMN)),
            // One text across both columns.
            None => (crate::width::wrap_cell(&cells.tcp, 2 * COLUMN + 2), Vec::new()),
        };
        let rows = what.len().max(tcp.len()).max(udp.len());
        let cell = |lines: &[String], i: usize| lines.get(i).cloned().unwrap_or_default();
        for i in 0..rows {
            let what = self.bold(&format!("{:WHAT$}", cell(&what, i)));
            let tcp_text = cell(&tcp, i);
            let pad = (if udp.is_empty() { 0 } else { COLUMN }).saturating_sub(tcp_text.chars().count());
            let line = format!("{what}  {tcp_text}{}  {}", " ".repeat(pad), cell(&udp, i));
            self.line(line.trim_end());
        }
    }
}
