-- Keys that include business_id where a table will be distributed by it (Citus path, docs/scaling.md), made
-- now while they are cheap: contacts gets the unique key (business_id, id), and transactions reference their
-- contact by (business_id, contact_id), so a transaction's contact is in the transaction's business — enforced
-- by PostgreSQL for every role, not only by the policies.
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_business_id_id_key" UNIQUE("business_id","id");--> statement-breakpoint
ALTER TABLE "transactions" DROP CONSTRAINT "transactions_contact_id_contacts_id_fk";
--> statement-breakpoint
DROP INDEX "transactions_business_idx";--> statement-breakpoint
CREATE INDEX "transactions_business_contact_idx" ON "transactions" USING btree ("business_id","contact_id");--> statement-breakpoint
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_business_contact_fk" FOREIGN KEY ("business_id","contact_id") REFERENCES "public"."contacts"("business_id","id") ON DELETE cascade ON UPDATE no action;
