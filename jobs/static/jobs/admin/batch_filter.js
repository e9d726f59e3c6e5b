'use strict';
// Jobs changelist: picking a batch in the autocomplete filter reloads the
// list filtered by it (select2 fires jQuery's change event, not the DOM's).
window.addEventListener('load', function() {
    const $ = django.jQuery;
    $('.job-batch-filter select').on('change', function() {
        const container = this.closest('.job-batch-filter');
        const params = new URLSearchParams(container.dataset.queryString);
        if (this.value) {
            params.set('batch', this.value);
        }
        window.location.search = params.toString();
    });
});
