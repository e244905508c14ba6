# Sourced by bench scripts, not run: `mirror_layout DIR` lays the shared
# data out in DIR as `bulkhead db update --mirror` reads it (the OSV
# export + epss/ + nvd/ + cve/), with symlinks into `$shared`.
mirror_layout() {
  local m="$1" e
  mkdir -p "$m/epss" "$m/nvd" "$m/cve"
  for e in "$shared"/osv/*; do ln -s "$e" "$m/"; done
  ln -s "$shared/epss/epss_scores-current.csv.gz" "$m/epss/"
  ln -s "$shared/cve/vulnrichment.zip" "$m/cve/"
  gzip -c "$shared/cve/nvd-sample/nvd-api2-6cves.json" > "$m/nvd/nvdcve-2.0-2021.json.gz"
}
