// The docs scenario through the official stripe-node SDK, against the arrears server at ARREARS_URL.
// Prints one JSON line with what it saw; the Python test asserts on it.
import Stripe from "stripe";

const url = new URL(process.env.ARREARS_URL);
const stripe = new Stripe(process.env.ARREARS_KEY, {
  host: url.hostname, port: Number(url.port), protocol: url.protocol.replace(":", ""), maxNetworkRetries: 0,
});

const customer = await stripe.customers.create({ email: "node@example.com", balance: -500 });
await stripe.invoiceItems.create({ customer: customer.id, amount: 1099, currency: "usd" });
let invoice = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
invoice = await stripe.invoices.finalizeInvoice(invoice.id);
invoice = await stripe.invoices.markUncollectible(invoice.id);
let refused = null;
try {
  await stripe.invoices.markUncollectible(invoice.id);
} catch (err) {
  refused = { type: err.type, status: err.statusCode, message: err.message };
}
const expanded = await stripe.invoices.retrieve(invoice.id, { expand: ["customer"] });
const listed = [];
for await (const inv of stripe.invoices.list({ customer: customer.id, limit: 1 })) listed.push(inv.id);
const paid = await stripe.invoices.pay(invoice.id, { paid_out_of_band: true });
console.log(JSON.stringify({
  status: invoice.status, amount_due: invoice.amount_due, amount_remaining: invoice.amount_remaining,
  reason: invoice.status_details?.uncollectible?.reason, refused, expanded_customer: expanded.customer.id,
  customer: customer.id, listed, paid: paid.status,
}));
