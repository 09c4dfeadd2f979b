/* SPDX-License-Identifier: ISC */
/* Placeholder so the conn layer library is never empty. */
int adit_conn_layer_placeholder;
