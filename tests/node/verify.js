// Verify Standard Webhooks requests with the npm `standardwebhooks` library, as a receiver
// written in JavaScript would. Reads [{secret, body, headers}] as JSON on stdin; prints, per
// request, the payload it verified or the error it raised.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ secret, body, headers }) => {
    try {
      return { ok: new Webhook(secret).verify(body, headers) };
    } catch (error) {
      return { error: String(error && error.message) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
