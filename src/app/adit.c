/* SPDX-License-Identifier: ISC */
/* adit: the client (placeholder until io/ and app/ land). */
int
main(void)
{
    return 255;
}
