import { describe, expect, it } from "vitest";
import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { UserRef, type DetailLevel, type UserField } from "../src/components/UserRef.tsx";
import { DetailLevelControl } from "../src/components/DetailLevelControl.tsx";

const id = "6f1c2a7e-0d3b-4c55-9a2e-2b7f0e4d9c11";
// What the API returns for the same assignee at each level.
const byLevel: Record<DetailLevel, UserField> = {
  none: id,
  basic: { id, display_name: "Ada", email: "ada@example.com" },
  full: { id, display_name: "Ada", email: "ada@example.com", full_name: "Ada Lovelace", phone: "+1 555 0100", is_active: false, last_sign_in: null },
};

function Harness() {
  const [level, setLevel] = useState<DetailLevel>("basic");
  return (
    <>
      <DetailLevelControl value={level} onChange={setLevel} />
      <div data-testid="cell">
        <UserRef user={byLevel[level]} />
      </div>
    </>
  );
}

describe("User details level", () => {
  it("offers None, Basic and Full and changes what an assignee shows", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const group = screen.getByRole("radiogroup", { name: "User details" });
    expect(group).toBeTruthy();
    const cell = screen.getByTestId("cell");
    expect(cell.textContent).toContain("ada@example.com");
    expect(cell.textContent).not.toContain("Ada Lovelace");

    await user.click(screen.getByRole("radio", { name: "None" }));
    expect(cell.textContent).not.toContain("ada@example.com");
    expect(cell.textContent).toContain(id.slice(0, 8));

    await user.click(screen.getByRole("radio", { name: "Full" }));
    expect(cell.textContent).toContain("ada@example.com");
    expect(cell.textContent).toContain("Ada Lovelace");
    expect(cell.textContent).toContain("+1 555 0100");
    expect(cell.textContent).toContain("inactive");
  });

  it("shows Unassigned for null", () => {
    render(<UserRef user={null} />);
    expect(screen.getByText("Unassigned")).toBeTruthy();
  });
});
