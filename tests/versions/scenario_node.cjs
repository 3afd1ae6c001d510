// The mission scenario through one stripe-node major, installed in the folder SDK_DIR (its own
// node_modules), against the arrears server at ARREARS_URL with the key ARREARS_KEY.
//
// Customer with balance -500, one 1099 usd invoice item, an invoice that takes it, finalize,
// mark_uncollectible; then the invoice, its first line, the invoice item and the customer are read back.
// For each of the four kinds it reads every field that major's TypeScript declarations give the interface
// (types/Invoices.d.ts or, from the majors that moved them, cjs/resources/Invoices.d.ts, ...), and compares
// those names with the JSON keys arrears answered. Fields declared with `?` are ones Stripe may leave out
// (includable, expand-only, or absent on some objects): reported apart, as `optional`.
//
// Prints one JSON report on its last line. The base URL is set the stripe-node way of every major:
// the `host`, `port` and `protocol` options of the constructor.
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const SDK_DIR = process.env.SDK_DIR;
const load = createRequire(path.join(SDK_DIR, "package.json"));
const loaded = load("stripe");
const Stripe = typeof loaded === "function" ? loaded : loaded.default || loaded.Stripe;
const PACKAGE = path.join(SDK_DIR, "node_modules", "stripe");

const KINDS = {
  invoice: ["Invoices.d.ts", "Invoice"],
  line_item: ["InvoiceLineItems.d.ts", "InvoiceLineItem"],
  invoice_item: ["InvoiceItems.d.ts", "InvoiceItem"],
  customer: ["Customers.d.ts", "Customer"],
};

function typesFile(file) {
  for (const folder of ["types", "cjs/resources", "esm/resources"]) {
    const candidate = path.join(PACKAGE, folder, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`no ${file} in ${PACKAGE}`);
}

// The field names of `interface NAME {` in a declarations file: the lines one level inside it.
function declared(file, name) {
  const lines = fs.readFileSync(typesFile(file), "utf8").split("\n");
  const head = new RegExp(`^(\\s*)(export )?interface ${name} \\{\\s*$`);
  const start = lines.findIndex((line) => head.test(line));
  if (start < 0) throw new Error(`no interface ${name} in ${file}`);
  const indent = head.exec(lines[start])[1];
  const body = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith(`${indent}}`)) break;
    body.push(line);
  }
  // One level inside: the indentation of the first field (two spaces in older majors, four in newer).
  const first = body.map((line) => /^(\s+)\w+\??:/.exec(line)).find(Boolean);
  if (!first) throw new Error(`no fields in interface ${name} of ${file}`);
  const field = new RegExp(`^${first[1]}(\\w+)(\\?)?:`);
  const fields = [];
  for (const line of body) {
    const found = field.exec(line);
    if (found) fields.push({ name: found[1], optional: Boolean(found[2]) });
  }
  return fields;
}

function kindOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

// A few key fields and the JSON types the SDK of every era expects for them, where that era declares them.
const KEY_TYPES = {
  invoice: { paid: ["boolean"], status: ["string"], amount_due: ["integer"], lines: ["object"],
             parent: ["object", "null"] },
  line_item: { price: ["object", "null"], type: ["string"], amount: ["integer"], pricing: ["object", "null"],
               parent: ["object", "null"] },
  invoice_item: { price: ["object", "null"], invoice: ["string", "null"], pricing: ["object", "null"] },
  customer: { balance: ["integer"], invoice_settings: ["object"] },
};

function answeredKeys(obj) {
  return Object.keys(obj).filter((key) => key !== "lastResponse").sort();
}

function check(kind, obj) {
  const fields = declared(...KINDS[kind]);
  const names = fields.map((f) => f.name).sort();
  const optional = fields.filter((f) => f.optional).map((f) => f.name).sort();
  const answered = answeredKeys(obj);
  const unreadable = names.filter((name) => !optional.includes(name) && obj[name] === undefined);
  const wrong = {};
  for (const [name, allowed] of Object.entries(KEY_TYPES[kind])) {
    if (names.includes(name) && name in obj && !allowed.includes(kindOf(obj[name]))) wrong[name] = kindOf(obj[name]);
  }
  return {
    declared: names, answered, optional,
    missing: names.filter((name) => !answered.includes(name)),
    extra: answered.filter((name) => !names.includes(name)),
    attribute_errors: unreadable, wrong_type: wrong,
  };
}

function pinned() {
  for (const file of ["cjs/apiVersion.js", "lib/apiVersion.js", "esm/apiVersion.js"]) {
    const candidate = path.join(PACKAGE, file);
    if (!fs.existsSync(candidate)) continue;
    const found = /ApiVersion = ['"]([^'"]+)['"]/.exec(fs.readFileSync(candidate, "utf8"));
    if (found) return found[1];
  }
  return null;
}

// Where the objects lead, the way this era's integrations walk them: from the invoice's line to its invoice
// item (line.invoice_item before basil, line.parent.invoice_item_details from it), from the invoice item
// to its invoice, and whether the invoice says it is paid (before basil).
function links(seen) {
  const line = seen.line_item;
  const lineFields = declared(...KINDS.line_item).map((f) => f.name);
  const toItem = lineFields.includes("invoice_item") ? line.invoice_item
    : line.parent && line.parent.invoice_item_details ? line.parent.invoice_item_details.invoice_item : undefined;
  const paidDeclared = declared(...KINDS.invoice).some((f) => f.name === "paid");
  return {
    invoice: seen.invoice.id, invoice_item: seen.invoice_item.id, line_to_item: toItem === undefined ? null : toItem,
    item_to_invoice: seen.invoice_item.invoice === undefined ? null : seen.invoice_item.invoice,
    paid: paidDeclared ? (seen.invoice.paid === undefined ? null : seen.invoice.paid) : "not declared",
  };
}

async function main() {
  const url = new URL(process.env.ARREARS_URL);
  const stripe = new Stripe(process.env.ARREARS_KEY, {
    host: url.hostname, port: Number(url.port), protocol: url.protocol.replace(":", ""), maxNetworkRetries: 0,
  });
  const customer = await stripe.customers.create({ email: "matrix@example.com", balance: -500 });
  const item = await stripe.invoiceItems.create({ customer: customer.id, amount: 1099, currency: "usd" });
  const invoice = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
  await stripe.invoices.finalizeInvoice(invoice.id);
  const marked = await stripe.invoices.markUncollectible(invoice.id);
  const seen = {
    invoice: marked, line_item: marked.lines.data[0],
    invoice_item: await stripe.invoiceItems.retrieve(item.id), customer: await stripe.customers.retrieve(customer.id),
  };
  const report = {
    sdk: "stripe-node", sdk_version: JSON.parse(fs.readFileSync(path.join(PACKAGE, "package.json"))).version,
    pinned_api_version: pinned(), answered_api_version: marked.lastResponse ? marked.lastResponse.apiVersion : null,
    node: process.version,
    scenario: { status: marked.status, amount_due: marked.amount_due, amount_remaining: marked.amount_remaining },
    kinds: Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, check(kind, seen[kind])])),
    links: links(seen),
  };
  console.log(JSON.stringify(report));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
