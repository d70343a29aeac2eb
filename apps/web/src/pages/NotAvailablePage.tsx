import { Link } from "react-router";

export function NotAvailablePage() {
  return (
    <div className="card empty" role="alert">
      <h1>Not available</h1>
      <p>This page is only available to platform analysts.</p>
      <Link to="/contacts">Back to contacts</Link>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <div className="card empty">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <Link to="/contacts">Back to contacts</Link>
    </div>
  );
}
