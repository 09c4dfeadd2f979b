/* SPDX-License-Identifier: ISC */
/* Placeholder so the io layer library is never empty. */
int adit_io_layer_placeholder;
