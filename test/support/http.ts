/** A JSON response body for assertions (tests check its shape with expect). */
export async function json(res: Response): Promise<any> {
  return res.json();
}
