use bulkhead_types::Report;
use std::io::Write;

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> Result<(), crate::WriteError> {
    bulkhead_types::text::write_json_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    Ok(())
}
