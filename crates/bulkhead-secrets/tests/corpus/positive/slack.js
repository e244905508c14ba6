const { WebClient } = require('@slack/web-api');
const web = new WebClient('xoxb-980407433437-0050750952757-orI8aOZ9JUolAJOSfYiWU8Yi');
const hook = 'https://hooks.slack.com/services/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';
// user: xoxp-17465961854-99055711580-137832590707-whTeHCseSmFTGNHPjwx6e7nddpL1PezG
